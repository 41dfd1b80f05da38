# SPDX-License-Identifier: GPL-2.0
test_fwops_kmod_OBJS := $(FWOPS_OBJS)
test_fwops_kmod_LDLIBS := $(FWOPS_LIBS)
