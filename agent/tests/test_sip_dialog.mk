# SPDX-License-Identifier: GPL-2.0
test_sip_dialog_OBJS := sip_dialog.o sip_transport.o sip_msg.o glare.o plog.o tmr.o
test_sip_dialog_LDLIBS := -losipparser2
