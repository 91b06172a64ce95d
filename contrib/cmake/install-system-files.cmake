# Runs at install time (cmake --install, and CPack when it builds the .deb): writes the systemd
# unit and the installed configuration for the prefix being installed to, so one build directory
# serves `cmake --install build --prefix /usr/local` and the package alike.
#   prefix /usr  -> /etc/bitcoin-mining-pool/config.ini, /lib/systemd/system/bitcoin-mining-pool.service
#   other prefix -> PREFIX/etc/bitcoin-mining-pool/config.ini, PREFIX/lib/systemd/system/...
# An existing config.ini is never overwritten: the new one is put beside it as config.ini.new.
# Expects POOL_SOURCE_DIR and POOL_BINARY_DIR.

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(pool_etc "/etc/bitcoin-mining-pool")
  set(pool_unit_dir "/lib/systemd/system")
else()
  set(pool_etc "${CMAKE_INSTALL_PREFIX}/etc/bitcoin-mining-pool")
  set(pool_unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(POOL_BINDIR "${CMAKE_INSTALL_PREFIX}/bin")
set(POOL_CONFIG "${pool_etc}/config.ini")
set(pool_stage "${POOL_BINARY_DIR}/install-stage")
file(MAKE_DIRECTORY "${pool_stage}")

configure_file("${POOL_SOURCE_DIR}/contrib/systemd/bitcoin-mining-pool.service.in"
               "${pool_stage}/bitcoin-mining-pool.service" @ONLY)
file(INSTALL "${pool_stage}/bitcoin-mining-pool.service" DESTINATION "${pool_unit_dir}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The installed configuration is examples/config.ini with the database in the unit's
# StateDirectory; the build fails if examples/config.ini no longer has the lines replaced here.
file(READ "${POOL_SOURCE_DIR}/examples/config.ini" pool_config)
set(pool_replacements
  "# bitcoin-mining-pool configuration (poold --config examples/config.ini)"
  "# bitcoin-mining-pool configuration, read by the bitcoin-mining-pool service (poold --config ${POOL_CONFIG}).\n# Kept on upgrade. Apply changes with: systemctl reload bitcoin-mining-pool (or restart)."
  "db_path = sqlite:///mining_pool.db"
  "db_path = sqlite:////var/lib/bitcoin-mining-pool/pool.db")
list(LENGTH pool_replacements pool_n)
math(EXPR pool_last "${pool_n} - 1")
foreach(i RANGE 0 ${pool_last} 2)
  math(EXPR j "${i} + 1")
  list(GET pool_replacements ${i} from)
  list(GET pool_replacements ${j} to)
  string(FIND "${pool_config}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "examples/config.ini has no line '${from}' to adapt for the installed config")
  endif()
  string(REPLACE "${from}" "${to}" pool_config "${pool_config}")
endforeach()
file(WRITE "${pool_stage}/config.ini" "${pool_config}")

set(pool_config_name config.ini)
if(EXISTS "$ENV{DESTDIR}${POOL_CONFIG}")
  message(STATUS "Keeping the existing ${POOL_CONFIG}; the new default is ${POOL_CONFIG}.new")
  file(RENAME "${pool_stage}/config.ini" "${pool_stage}/config.ini.new")
  set(pool_config_name config.ini.new)
endif()
file(INSTALL "${pool_stage}/${pool_config_name}" DESTINATION "${pool_etc}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
