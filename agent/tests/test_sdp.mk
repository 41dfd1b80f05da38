# SPDX-License-Identifier: GPL-2.0
test_sdp_OBJS := sdp.o
test_sdp_LDLIBS := -losipparser2
