# The Debian package (passgate_<version>_<arch>.deb, built by scripts/package.sh with cpack):
# what it installs where, and its control data. docs/install.md describes it for store IT.
#   /usr/bin/passgated, /usr/bin/passgatectl         stripped
#   /usr/share/man/man8/passgated.8.gz, passgatectl.8.gz, /usr/share/man/man5/passgate.toml.5.gz
#                                                    cmake/ManPages.cmake (target man)
#   /usr/share/doc/passgate/                         README.md and docs/*.md (gzip -9n when
#                                                    over 4 KiB), changelog.gz, copyright
#                                                    (cmake/PackageDocs.cmake, target package-doc)
#   /usr/share/bash-completion/completions/passgatectl   config/bash-completion/passgatectl
#   /usr/share/lintian/overrides/passgate            cmake/debian/lintian-overrides
#   /lib/systemd/system/passgated.service            config/passgated.service
#   /lib/udev/rules.d/60-passgate-gpio.rules         GPIO chips to the passgate group
#   /etc/passgate/passgate.gpiod.example.toml        the conffile; the service reads passgate.toml
# The rig simulator's example (config/passgate.example.toml) is not packaged: neither is the
# simulator. The maintainer scripts (cmake/debian/) create the passgate user and groups and
# enable the unit. `cmake --install` alone is not how the gate is installed: the paths
# outside the prefix are absolute.
include(${CMAKE_CURRENT_LIST_DIR}/ManPages.cmake)

install(TARGETS passgated passgatectl RUNTIME DESTINATION bin)
# Stripped (cpack strips with CPACK_STRIP_FILES) as Debian's dh_strip does it: also without
# the compilers' .comment and .note sections.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    foreach(program passgated passgatectl)
      execute_process(COMMAND \"${CMAKE_STRIP}\" --remove-section=.comment --remove-section=.note
                              \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/\${program}\" COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
  endif()")
install(FILES ${PASSGATE_MAN_DIR}/passgated.8.gz ${PASSGATE_MAN_DIR}/passgatectl.8.gz DESTINATION share/man/man8)
install(FILES ${PASSGATE_MAN_DIR}/passgate.toml.5.gz DESTINATION share/man/man5)

file(GLOB _passgate_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
set(_passgate_doc_dir ${CMAKE_BINARY_DIR}/package-doc)
set(_passgate_doc_inputs ${PROJECT_SOURCE_DIR}/README.md ${_passgate_docs})
add_custom_command(
  OUTPUT ${_passgate_doc_dir}.stamp
  COMMAND ${CMAKE_COMMAND} "-DOUT_DIR=${_passgate_doc_dir}" "-DDOCS=${_passgate_doc_inputs}"
          -DCHANGELOG=${PASSGATE_CHANGELOG} -DCOPYRIGHT=${PROJECT_SOURCE_DIR}/cmake/debian/copyright
          -P ${PROJECT_SOURCE_DIR}/cmake/PackageDocs.cmake
  COMMAND ${CMAKE_COMMAND} -E touch ${_passgate_doc_dir}.stamp
  DEPENDS ${_passgate_doc_inputs} ${PASSGATE_CHANGELOG} ${PROJECT_SOURCE_DIR}/cmake/debian/copyright
          ${PROJECT_SOURCE_DIR}/cmake/PackageDocs.cmake
  COMMENT "package-doc: /usr/share/doc/passgate as Debian wants it"
  VERBATIM)
add_custom_target(package-doc ALL DEPENDS ${_passgate_doc_dir}.stamp)
install(DIRECTORY ${_passgate_doc_dir}/ DESTINATION share/doc/passgate)

install(FILES ${PROJECT_SOURCE_DIR}/config/bash-completion/passgatectl DESTINATION share/bash-completion/completions)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/lintian-overrides DESTINATION share/lintian/overrides
        RENAME passgate)
install(FILES ${PROJECT_SOURCE_DIR}/config/passgated.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/config/udev/60-passgate-gpio.rules DESTINATION /lib/udev/rules.d)
install(FILES ${PROJECT_SOURCE_DIR}/config/passgate.gpiod.example.toml DESTINATION /etc/passgate)

set(PASSGATE_PACKAGE_MAINTAINER "Passgate maintainers <passgate@example.com>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME passgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Passgate")
set(CPACK_PACKAGE_CONTACT ${PASSGATE_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "gate controller for cashier-less store checkout gates")
# The absolute destinations above (/etc, /lib) land in the package's tree, not on this machine
# (cpack installs with DESTDIR), and the relative ones under /usr whatever CMAKE_INSTALL_PREFIX is.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # passgate_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${PASSGATE_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description: lines of at most 79 columns (dpkg indents each by one space).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "passgated drives the entry and exit lanes of a store's checkout gate
(GPIO lines through libgpiod, USB or serial code scanners): it verifies the
store app's entry tokens offline, opens sessions with the store's tracking
engine, and settles each session once through the payment gateway, keeping
every operation durably in SQLite. passgatectl is the operator's command line
tool. Runs as a hardened systemd service (passgated.service) under its own
user.")
# Shared-library dependencies as dpkg-shlibdeps computes them (dpkg-dev), plus adduser for
# the maintainer scripts and procps for the unit's ExecReload=/bin/kill (a minimal Debian 12
# lacks it). systemd runs the service and udev applies the device rules, and bash-completion
# loads passgatectl's completion; the daemon itself runs without them, hence recommended.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, procps")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd, udev, bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/cmake/debian/postinst
    ${PROJECT_SOURCE_DIR}/cmake/debian/prerm
    ${PROJECT_SOURCE_DIR}/cmake/debian/postrm
    ${PROJECT_SOURCE_DIR}/cmake/debian/conffiles)
# Maintainer scripts 0755, conffiles 0644, whatever their mode in the checkout.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
