# SPDX-License-Identifier: GPL-2.0
test_sip_msg_OBJS := sip_msg.o glare.o
test_sip_msg_LDLIBS := -losipparser2
