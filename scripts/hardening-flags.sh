# Sourced by build.sh and package.sh (not run): exports Debian's hardening flags (fortify, stack
# protector, relro and bind-now; PIE is gcc's default here) as CFLAGS, CXXFLAGS and LDFLAGS, as a
# Debian package build would set them. The binaries parse files from anywhere, and CI packages
# the very build it tested. dpkg's -ffile-prefix-map is left out so that debug info and test
# failures keep real paths. CMake reads these only when a build folder is first configured.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
ckpt_flags() { dpkg-buildflags --get "$1" | sed 's/-ffile-prefix-map=[^ ]*//'; }
CFLAGS="$(ckpt_flags CPPFLAGS) $(ckpt_flags CFLAGS)"
CXXFLAGS="$(ckpt_flags CPPFLAGS) $(ckpt_flags CXXFLAGS)"
LDFLAGS="$(ckpt_flags LDFLAGS)"
export CFLAGS CXXFLAGS LDFLAGS
unset -f ckpt_flags
