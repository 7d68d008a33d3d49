# Every dependency comes from a Debian 12 package (ARCHITECTURE.md §6). A missing one stops configure
# with the package to install; scripts/setup installs all of them.

function(tributary_missing what package)
  message(FATAL_ERROR "${what} not found. Install it with:\n  apt-get install ${package}\n"
                      "or run scripts/setup, which installs every dependency.")
endfunction()

find_package(Threads REQUIRED)

find_package(Boost 1.81 CONFIG COMPONENTS json url)
if(NOT Boost_FOUND)
  tributary_missing("Boost 1.81 (Asio, Beast, JSON, URL)"
                    "libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev")
endif()

find_package(OpenSSL 3)
if(NOT OpenSSL_FOUND)
  tributary_missing("OpenSSL 3" "libssl-dev")
endif()

find_package(yaml-cpp CONFIG QUIET)
if(NOT yaml-cpp_FOUND)
  tributary_missing("yaml-cpp" "libyaml-cpp-dev")
endif()

find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  tributary_missing("CLI11" "libcli11-dev")
endif()

find_package(fmt CONFIG QUIET)
if(NOT fmt_FOUND)
  tributary_missing("fmt" "libfmt-dev")
endif()

find_package(spdlog CONFIG QUIET)
if(NOT spdlog_FOUND)
  tributary_missing("spdlog" "libspdlog-dev")
endif()

find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
  tributary_missing("SQLite 3" "libsqlite3-dev")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  tributary_missing("zlib" "zlib1g-dev")
endif()

find_package(Snappy CONFIG QUIET)
if(NOT Snappy_FOUND)
  tributary_missing("snappy" "libsnappy-dev")
endif()

find_package(GTest CONFIG QUIET)
if(NOT GTest_FOUND)
  tributary_missing("GoogleTest/GoogleMock" "libgtest-dev libgmock-dev")
endif()

find_package(benchmark CONFIG QUIET)
if(NOT benchmark_FOUND)
  tributary_missing("Google Benchmark" "libbenchmark-dev")
endif()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  tributary_missing("pkg-config" "pkg-config")
endif()

# tributary_pkg(<target suffix> <pkg-config module> <Debian package>) makes Tributary::<suffix>.
function(tributary_pkg suffix module package)
  pkg_check_modules(tributary_pkg_${suffix} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT tributary_pkg_${suffix}_FOUND)
    tributary_missing("${module} (pkg-config)" "${package}")
  endif()
  add_library(Tributary::${suffix} ALIAS PkgConfig::tributary_pkg_${suffix})
endfunction()

tributary_pkg(crypt libcrypt libcrypt-dev)
tributary_pkg(rdkafka rdkafka librdkafka-dev)
tributary_pkg(avro avro-c libavro-dev)
tributary_pkg(coap libcoap-3-openssl libcoap3-dev)
tributary_pkg(pq libpq libpq-dev)
tributary_pkg(lz4 liblz4 liblz4-dev)
tributary_pkg(zstd libzstd libzstd-dev)
