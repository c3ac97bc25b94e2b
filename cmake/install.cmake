# install.cmake - `cmake --install`: libraries, headers, the vyre-jit tool, the
# CMake package VyreJit and the pkg-config files vyre.pc and vyre-jit.pc.
#
#   find_package(VyreJit CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE vyre::jit)      # or vyre::vyre (no LLVM)
#
# Imported targets: vyre::vyre and vyre::jit (shared libraries),
# vyre::vyre_static, and vyre::jit_static with
# find_package(VyreJit CONFIG COMPONENTS jit_static), which then finds LLVM
# 19's CMake package too (the static JIT library needs libLLVM at link time;
# the shared one carries that dependency itself).
#
# The pkg-config files are relocatable (prefix from ${pcfiledir}), so a tree
# installed with `cmake --install BUILD --prefix DIR` works wherever DIR is.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The header's version macros and the project's version must agree: the
# library's vy_version_number() returns the macros, the package version file
# and the shared library's SONAME come from PROJECT_VERSION.
file(STRINGS ${PROJECT_SOURCE_DIR}/include/vyre/version.h _vy_version_line
     REGEX "^#define VY_VERSION_STRING \"[0-9.]+\"$")
string(REGEX REPLACE ".*\"([0-9.]+)\"" "\\1" _vy_header_version "${_vy_version_line}")
if(NOT _vy_header_version STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "include/vyre/version.h says ${_vy_header_version} but CMakeLists.txt says ${PROJECT_VERSION}. "
                      "Fix: bump both together")
endif()

set(VY_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/VyreJit)

# Installed shared libraries find each other (libvyre-jit.so needs libvyre.so)
# wherever the tree is installed.
set_target_properties(vyre PROPERTIES EXPORT_NAME vyre INSTALL_RPATH "$ORIGIN")
set_target_properties(vyre_static PROPERTIES EXPORT_NAME vyre_static)

set(_vy_targets vyre vyre_static)
if(VY_WITH_JIT)
  set_target_properties(vyre-jit PROPERTIES EXPORT_NAME jit INSTALL_RPATH "$ORIGIN")
  set_target_properties(vyre-jit_static PROPERTIES EXPORT_NAME jit_static)
  list(APPEND _vy_targets vyre-jit)
endif()

install(TARGETS ${_vy_targets} EXPORT VyreJitTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT VyreJitTargets NAMESPACE vyre:: DESTINATION ${VY_INSTALL_CMAKEDIR})
if(VY_WITH_JIT)
  # its own export file, loaded only with COMPONENTS jit_static (it needs LLVM's package)
  install(TARGETS vyre-jit_static EXPORT VyreJitStaticTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT VyreJitStaticTargets NAMESPACE vyre:: DESTINATION ${VY_INSTALL_CMAKEDIR})
endif()

install(TARGETS vyre-jit-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vyre DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h" PATTERN "*.def")

# ---- the CMake package ----
if(VY_WITH_JIT)
  set(VY_PACKAGE_WITH_JIT TRUE)
  set(VY_LLVM_MAJOR ${LLVM_VERSION_MAJOR})
  set(VY_LLVM_MAJOR_MINOR ${LLVM_VERSION_MAJOR}.${LLVM_VERSION_MINOR})
else()
  set(VY_PACKAGE_WITH_JIT FALSE)
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/VyreJitConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/VyreJitConfig.cmake
                              INSTALL_DESTINATION ${VY_INSTALL_CMAKEDIR})
# 0.x: a new minor release may change the ABI
write_basic_package_version_file(${PROJECT_BINARY_DIR}/VyreJitConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/VyreJitConfig.cmake ${PROJECT_BINARY_DIR}/VyreJitConfigVersion.cmake
        DESTINATION ${VY_INSTALL_CMAKEDIR})

# ---- pkg-config ----
file(RELATIVE_PATH VY_PC_PREFIX_FROM_PCDIR /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" VY_PC_PREFIX_FROM_PCDIR "${VY_PC_PREFIX_FROM_PCDIR}")
set(_vy_pc_files vyre)
if(VY_WITH_JIT)
  list(APPEND _vy_pc_files vyre-jit)
  # libvyre-jit.a needs libLLVM; the shared library records it itself
  set(VY_PC_LLVM_LIBS "-L${LLVM_LIBRARY_DIR} -lLLVM")
endif()
foreach(pc ${_vy_pc_files})
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
