# cuda_baselines.cmake - the CUDA C baselines of the benchmark suite
# (bench/native/cuda/*.cu) and the harness's cuda-native column
# (bench/native_cuda.c). Included from bench/CMakeLists.txt, in its scope.
#
# The harness part is always built: without the library `vyre-jit bench
# --backends cuda-native` says why it is unavailable. The library,
# bench/libvyb_cuda.so next to the tool, is built only where nvcc exists
# (on the PATH, in $CUDA_PATH/bin or /usr/local/cuda/bin; VY_BENCH_NVCC
# overrides), with nvcc -O3 for sm_90 (plus sm_80, and compute_90 PTX for
# newer GPUs); elsewhere nothing is built and nothing is said. The
# CUDA runtime is linked statically, so the library needs only the
# driver's libcuda.so.1 at run time.

target_sources(vyre_bench_harness PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/native_cuda.c)
target_compile_definitions(vyre_bench_harness PRIVATE VY_BENCH_CUDA_NAME="libvyb_cuda.so")

find_program(VY_BENCH_NVCC nvcc HINTS ENV CUDA_PATH PATHS /usr/local/cuda/bin PATH_SUFFIXES bin)
mark_as_advanced(VY_BENCH_NVCC)
if(VY_BENCH_NVCC)
  set(_vyc_flags -O3 -std=c++17 -fmad=false -shared -Xcompiler -fPIC,-Wall,-Wextra
                 -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=[sm_90,compute_90])
  list(JOIN _vyc_flags " " _vyc_flag_text)
  message(STATUS "bench: CUDA baselines with ${VY_BENCH_NVCC} ${_vyc_flag_text}")
  file(GLOB _vyc_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/native/cuda/*.cu)
  file(GLOB _vyc_headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/native/cuda/*.h
       ${CMAKE_CURRENT_SOURCE_DIR}/native/cuda/*.cuh)
  set(_vyc_lib ${CMAKE_CURRENT_BINARY_DIR}/libvyb_cuda.so)
  add_custom_command(
    OUTPUT ${_vyc_lib}
    COMMAND ${VY_BENCH_NVCC} ${_vyc_flags} "-DVYB_CUDA_FLAGS=\"${_vyc_flag_text}\"" -o ${_vyc_lib} ${_vyc_sources}
    DEPENDS ${_vyc_sources} ${_vyc_headers} ${CMAKE_CURRENT_SOURCE_DIR}/native/vyb_native.h
    COMMENT "Building the CUDA benchmark baselines with nvcc (slow)"
    VERBATIM)
  add_custom_target(vyre_bench_cuda ALL DEPENDS ${_vyc_lib})
  add_dependencies(vyre-jit-cli vyre_bench_cuda)
endif()

# unit test of the cuda-native column: what it says without a GPU or a
# library, its comparison of the cuda backend with the baselines
if(BUILD_TESTING)
  add_executable(test_bench_cuda_native ${PROJECT_SOURCE_DIR}/tests/bench/test_bench_cuda_native.c)
  target_link_libraries(test_bench_cuda_native PRIVATE vyre_bench_harness vy_test_support)
  target_include_directories(test_bench_cuda_native PRIVATE ${PROJECT_SOURCE_DIR}/lib)
  target_compile_definitions(test_bench_cuda_native PRIVATE VY_BENCH_SUITE_DIR="${CMAKE_CURRENT_SOURCE_DIR}/suite")
  set_target_properties(test_bench_cuda_native PROPERTIES ENABLE_EXPORTS ON) # dlsym finds its fake baseline
  add_test(NAME test_bench_cuda_native COMMAND test_bench_cuda_native)
  set_tests_properties(test_bench_cuda_native PROPERTIES WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests
                       ENVIRONMENT "VYB_CUDA_LIB=$<IF:$<BOOL:${VY_BENCH_NVCC}>,${CMAKE_CURRENT_BINARY_DIR}/libvyb_cuda.so,>")
  if(VY_BENCH_NVCC)
    add_dependencies(test_bench_cuda_native vyre_bench_cuda)
  endif()
endif()
