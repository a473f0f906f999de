# The back-end half of the driver (owned by the back end): LLVM target
# machine and passes, object emission, linking, the run cache. Included from
# compiler/driver/CMakeLists.txt.

add_library(atoll_pipeline STATIC codegen.cpp install.cpp link.cpp cache.cpp)
target_include_directories(atoll_pipeline PUBLIC ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR})
target_include_directories(atoll_pipeline SYSTEM PUBLIC ${LLVM_INCLUDE_DIRS})
separate_arguments(atoll_llvm_defs NATIVE_COMMAND "${LLVM_DEFINITIONS}")
target_compile_options(atoll_pipeline PUBLIC ${atoll_llvm_defs})
target_link_libraries(atoll_pipeline PUBLIC LLVM atoll_source PRIVATE atoll_warnings fmt::fmt)
target_compile_definitions(atoll_pipeline PRIVATE ATOLL_VERSION="${PROJECT_VERSION}")

# Linker arguments generated programs need: everything atoll_rt links
# against, flattened to files and flags at configure/generate time, so the
# driver never has to call pkg-config.
set(atoll_link_flags)
function(atoll_collect_link_items items)
  foreach(item IN LISTS items)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
    # glibc's libpthread.a/libdl.a stubs come from pkg-config's static view;
    # -lpthread -ldl below cover them.
    if(item STREQUAL "" OR item MATCHES "^\\$<" OR item STREQUAL "atoll_warnings"
       OR item MATCHES "/lib(pthread|dl|m|rt)\\.a$")
      continue()
    endif()
    if(TARGET ${item})
      get_target_property(type ${item} TYPE)
      get_target_property(imported ${item} IMPORTED)
      # Imported libraries, and the runtime's own static libraries
      # (atoll_sched, atoll_io) that libatoll_rt.a builds on.
      if(NOT type STREQUAL "INTERFACE_LIBRARY" AND (imported OR type STREQUAL "STATIC_LIBRARY"))
        list(APPEND atoll_link_flags "$<TARGET_LINKER_FILE:${item}>")
      endif()
      get_target_property(deps ${item} INTERFACE_LINK_LIBRARIES)
      if(deps)
        atoll_collect_link_items("${deps}")
      endif()
    else()
      list(APPEND atoll_link_flags "${item}")
    endif()
  endforeach()
  set(atoll_link_flags "${atoll_link_flags}" PARENT_SCOPE)
endfunction()
get_target_property(atoll_rt_deps atoll_rt INTERFACE_LINK_LIBRARIES)
atoll_collect_link_items("${atoll_rt_deps}")
get_target_property(atoll_rt_private atoll_rt LINK_LIBRARIES)
if(atoll_rt_private)
  atoll_collect_link_items("${atoll_rt_private}")
endif()
list(APPEND atoll_link_flags -lstdc++ -lm -ldl -lpthread)
# A sanitizer build's runtime needs the sanitizer's own runtime at link time.
if(ATOLL_SANITIZE)
  list(APPEND atoll_link_flags -fsanitize=${ATOLL_SANITIZE})
endif()
list(REMOVE_DUPLICATES atoll_link_flags)
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/atoll_link_flags.inc
  CONTENT "\"$<JOIN:${atoll_link_flags},\",\n\">\",\n")

# Executables take the C++ library from this archive instead of -lstdc++
# (install.cpp, ExecutableLinkFlags), when the compiler has one and this is
# not a sanitizer build: see compiler/driver/README.md, "Linking".
set(atoll_static_cxx "")
if(NOT ATOLL_SANITIZE)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.a
                  OUTPUT_VARIABLE atoll_static_cxx OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  if(NOT IS_ABSOLUTE "${atoll_static_cxx}" OR NOT EXISTS "${atoll_static_cxx}")
    set(atoll_static_cxx "")
  endif()
endif()
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/atoll_static_cxx.inc
  CONTENT "\"${atoll_static_cxx}\"\n")

# The install layout the driver expects next to bin/atoll: lib/libatoll_rt.a
# and lib/atoll/ (the standard library sources).
add_custom_target(atoll_install_layout
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/lib
  COMMAND ${CMAKE_COMMAND} -E create_symlink $<TARGET_FILE:atoll_rt> ${CMAKE_BINARY_DIR}/lib/libatoll_rt.a
  COMMAND ${CMAKE_COMMAND} -E create_symlink ${PROJECT_SOURCE_DIR}/lib ${CMAKE_BINARY_DIR}/lib/atoll
  DEPENDS atoll_rt
  VERBATIM)
