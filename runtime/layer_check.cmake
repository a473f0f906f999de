# Fails when a file of a runtime layer includes a header of a layer above it
# (runtime/CMakeLists.txt, atoll_layer_check). Run as a build step:
#   cmake -DFORBIDDEN=<regex> -DFILES=<a|b|...> -DSTAMP=<file> -P layer_check.cmake
string(REPLACE "|" ";" files "${FILES}")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"${FORBIDDEN}")
  foreach(line IN LISTS lines)
    string(APPEND bad "\n  ${f}: ${line}")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "layering: these includes point up the runtime's layers "
                      "(docs/runtime-layers: io <- sched <- rt):${bad}")
endif()
file(TOUCH "${STAMP}")
