# SPDX-License-Identifier: GPL-2.0
#
# Feature probes (see probe.sh and ../compat.h), included by a Kbuild file
# whose directory holds compat/: $(obj)/compat_generated.h says which of
# the APIs tested by compat/probes/*.c the target kernel has; each probe
# is compiled with the kernel's own flags. The including file makes its
# objects depend on $(obj)/compat_generated.h.
ccflags-y += -I$(obj)

compat-probes := $(sort $(wildcard $(src)/compat/probes/*.c))

quiet_cmd_compat_probe = PROBE   $@
      cmd_compat_probe = $(CONFIG_SHELL) $(src)/compat/probe.sh $@ \
			 $(compat-probes) -- $(CC) $(NOSTDINC_FLAGS) \
			 $(LINUXINCLUDE) $(KBUILD_CPPFLAGS) $(KBUILD_CFLAGS) \
			 $(KBUILD_CFLAGS_MODULE)

$(obj)/compat_generated.h: $(src)/compat/probe.sh $(src)/compat/probe.mk \
			   $(compat-probes)
	$(call cmd,compat_probe)

clean-files += compat_generated.h compat_generated.h.log
