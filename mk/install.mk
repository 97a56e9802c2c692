# mk/install.mk - installation, following mingw-w64's cross layout:
#
#   make install [PREFIX=/usr/local] [DESTDIR=]
#
# installs, for each target triplet T (x86_64-w64-mingw32, i686-w64-mingw32),
#   $(DESTDIR)$(PREFIX)/T/bin/copyfile2.dll        the DLL (ship it with your program)
#   $(DESTDIR)$(PREFIX)/T/bin/cf2copy.exe          the copy tool
#   $(DESTDIR)$(PREFIX)/T/lib/libcopyfile2.dll.a   import library
#   $(DESTDIR)$(PREFIX)/T/lib/libcopyfile2.a       static library (no CopyFile2 import)
#   $(DESTDIR)$(PREFIX)/T/include/copyfile2.h, copyfile2_restart.h
#   $(DESTDIR)$(PREFIX)/T/lib/pkgconfig/copyfile2.pc, copyfile2-static.pc
# which is where Debian's mingw-w64 keeps its own files (PREFIX=/usr).
# `make check-install` installs into a scratch DESTDIR and builds a program
# against the installed files with pkg-config.

PREFIX ?= /usr/local
DESTDIR ?=

# $(1) = arch
define INSTALL_RULES
install-$(1): $(B)/$(1)/copyfile2.dll $(B)/$(1)/libcopyfile2.dll.a $(B)/$(1)/libcopyfile2.a $(B)/$(1)/cf2copy.exe
	sh tools/install.sh "$(DESTDIR)" "$(PREFIX)" $(TRIPLET_$(1)) $(B)/$(1)
endef
$(foreach a,$(ARCHES),$(eval $(call INSTALL_RULES,$(a))))

.PHONY: install check-install $(addprefix install-,$(ARCHES))
install: $(addprefix install-,$(ARCHES))

CHECK_PARTS += check-install
check-install: all
	sh tests/install/run.sh

# The README's first command: the whole job on a built-in default.
.PHONY: demo
demo: $(DEPS_STAMP)
	$(MAKE) --no-print-directory all
	sh tools/demo.sh
