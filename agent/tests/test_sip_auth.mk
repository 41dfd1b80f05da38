# SPDX-License-Identifier: GPL-2.0
test_sip_auth_OBJS := sip_auth.o sip_transport.o sip_msg.o glare.o plog.o tmr.o
test_sip_auth_LDLIBS := -losipparser2
