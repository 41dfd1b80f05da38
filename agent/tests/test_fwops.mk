# SPDX-License-Identifier: GPL-2.0
test_fwops_OBJS := $(FWOPS_OBJS)
test_fwops_LDLIBS := $(FWOPS_LIBS)
