# What `cmake --install` puts under the prefix, and the Debian package CPack builds from it
# (docs/operator-guide.md, "Installing"). Included from the top-level CMakeLists.txt.
include(GNUInstallDirs)

install(TARGETS poold testnode pool-miner stratum-bench pool-verify RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The manual page is written by hand (docs/man/poold.1.in); CMake fills in the version.
set(POOL_MAN_PAGE ${CMAKE_BINARY_DIR}/man/poold.1)
configure_file(docs/man/poold.1.in ${POOL_MAN_PAGE} @ONLY)
# Installed compressed, as Debian policy asks (-n: no name or time stamp, so builds repeat).
execute_process(COMMAND gzip -9nf -k ${POOL_MAN_PAGE} COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${POOL_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES contrib/grafana/bitcoin-mining-pool.json DESTINATION ${CMAKE_INSTALL_DATADIR}/bitcoin-mining-pool/grafana)
install(FILES contrib/prometheus/alerts.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/bitcoin-mining-pool/prometheus)
install(FILES README.md docs/operator-guide.md docs/operator-guide.ja.md examples/config.ini
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/bitcoin-mining-pool)
# The systemd unit and /etc/bitcoin-mining-pool/config.ini depend on the prefix installed to,
# which is known only at install time (CPack installs with prefix /usr).
install(CODE "set(POOL_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
set(POOL_BINARY_DIR \"${CMAKE_BINARY_DIR}\")
include(\"${CMAKE_SOURCE_DIR}/contrib/cmake/install-system-files.cmake\")")

# Debian package: bitcoin-mining-pool_<version>_<arch>.deb
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bitcoin-mining-pool)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "bitcoin-mining-pool maintainers <maintainers@bitcoin-mining-pool.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Stratum v1 Bitcoin mining pool (PPLNS and SOLO) for Bitcoin Core")
set(CPACK_PACKAGE_DESCRIPTION "poold serves Stratum v1 miners with work from Bitcoin Core, checks every share, \
submits blocks, credits miners (PPLNS or SOLO) and pays them from the node's wallet. Stores its state in SQLite or \
PostgreSQL and exports Prometheus metrics. Runs as the bitcoin-mining-pool systemd service.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies (libssl3, libsqlite3-0, libpq5, libzmq5, libspdlog, libfmt, libstdc++ ...)
# come from dpkg-shlibdeps on the linked binaries; these are what the maintainer scripts use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bitcoind, prometheus, sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/contrib/debian/conffiles;${CMAKE_SOURCE_DIR}/contrib/debian/postinst;\
${CMAKE_SOURCE_DIR}/contrib/debian/prerm;${CMAKE_SOURCE_DIR}/contrib/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
