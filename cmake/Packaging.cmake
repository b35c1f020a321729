# The Debian package (issue 21): `cpack -G DEB` in a build folder, run by scripts/package.sh.
# It packs what `cmake --install` installs under /usr; dpkg-shlibdeps computes the library
# dependencies from the binaries, and the HDF5 filter plugins that libhdf5 loads at run time
# (so no binary links them) are added by hand.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ckptview)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # also when CI packages its RelWithDebInfo build
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "browser for deep-learning checkpoints")
# Debian's long description: one line per paragraph line, indented by cpack, which puts the
# summary above it as the synopsis (repeating it here is a lintian error).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ckptview is a fast, safe desktop browser for deep-learning checkpoints,
and ckpt its command line. It opens PyTorch, MXNet/Gluon, Keras and
TensorFlow, NumPy, safetensors, HDF5, GGUF, ONNX and Flax files,
recognised by content, and never runs code from a file: pickles are parsed,
not executed. It shows the layer hierarchy, browses and plots weight
tensors, compares and exports checkpoints, and checks that a rebuilt MLP
gives the same outputs.")
# The identity the project's commits are made under (git log); override it
# (-DCKPT_PACKAGE_MAINTAINER=...) for a package published elsewhere.
set(CKPT_PACKAGE_MAINTAINER "Seed 7ee1d3e3 maintainers <maintainers@users.noreply.b-seed-7ee1d3e3.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CKPT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # ckptview_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# LZF and Blosc chunks are decoded by these plugins (README, Formats: HDF5).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "hdf5-plugin-lzf, hdf5-filter-plugin-blosc-serial")
# Debug information stays in the build folder; the package ships stripped binaries.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
