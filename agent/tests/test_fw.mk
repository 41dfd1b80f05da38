# SPDX-License-Identifier: GPL-2.0
test_fw_OBJS := fw.o
test_fw_LDLIBS := $(NL_LIBS)
