# SPDX-License-Identifier: GPL-2.0
test_glare_OBJS := glare.o
