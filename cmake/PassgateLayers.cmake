# The layers' rules (docs/development.md, "Layout"), checked at every configure, so every
# build (and so scripts/test.sh and CI) fails when code reaches up a layer:
#  - what each folder's sources may #include, by the included header's top folder;
#  - which libraries a layer's library must not link, however indirectly.
# A failure names the file and the header, or the library it links through.

# folder -> the top folders its sources may include from
set(_passgate_layer_includes
  "common=common"
  "crypto=common crypto"
  "hw=common hw"
  "db=common db"
  "ports=common ports"
  "drivers=common crypto hw ports drivers"
  "controller/config=common crypto hw db controller/config"
  "controller=common crypto hw db ports controller")

function(_passgate_check_includes)
  foreach(rule ${_passgate_layer_includes})
    string(REPLACE "=" ";" rule "${rule}")
    list(GET rule 0 folder)
    list(GET rule 1 allowed)
    string(REPLACE " " ";" allowed "${allowed}")
    file(GLOB_RECURSE sources ${PROJECT_SOURCE_DIR}/${folder}/*.hpp ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
    foreach(source ${sources})
      file(STRINGS ${source} includes REGEX "^#include \"[a-z_]+/")
      foreach(line ${includes})
        string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
        set(ok FALSE)
        foreach(top ${allowed})
          string(FIND "${header}" "${top}/" at)
          if(at EQUAL 0)
            set(ok TRUE)
          endif()
        endforeach()
        if(NOT ok)
          file(RELATIVE_PATH shown ${PROJECT_SOURCE_DIR} ${source})
          list(JOIN allowed "/, " shown_allowed)
          message(FATAL_ERROR "${shown}: includes \"${header}\", but ${folder}/ may include only from "
                              "${shown_allowed}/ (docs/development.md, \"Layout\")")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()

# Fails when `target` links `forbidden`, directly or through other libraries.
function(_passgate_forbid_link target forbidden)
  set(queue ${target})
  set(seen "")
  while(queue)
    list(POP_FRONT queue current)
    if(current IN_LIST seen OR NOT TARGET ${current})
      continue()
    endif()
    list(APPEND seen ${current})
    get_target_property(links ${current} LINK_LIBRARIES)
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    foreach(lib ${links} ${interface})
      if(lib STREQUAL forbidden)
        message(FATAL_ERROR "${target} links ${forbidden} (through ${current}): a layer may not link "
                            "the layers above it (docs/development.md, \"Layout\")")
      endif()
      if(TARGET ${lib})
        list(APPEND queue ${lib})
      endif()
    endforeach()
  endwhile()
endfunction()

_passgate_check_includes()
foreach(lower passgate_common passgate_crypto passgate_hw passgate_db passgate_ports passgate_drivers)
  foreach(upper passgate_controller passgate_config passgate_metrics passgate_daemon)
    _passgate_forbid_link(${lower} ${upper})
  endforeach()
endforeach()
_passgate_forbid_link(passgate_config passgate_controller)
_passgate_forbid_link(passgate_controller passgate_drivers)
