# SPDX-License-Identifier: GPL-2.0
test_call_OBJS := call.o glare.o
