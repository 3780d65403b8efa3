# Compiles the official NFS-e schemas (schemas/nfse/<folder>/*.xsd: the national layouts 1.00
# and 1.01, ABRASF 2.04) into billrun_lib, so the binary validates without data files
# installed beside it; each is keyed "<folder>/<file>". The ABRASF file as published
# (nfse_v204.xsd) does not compile in libxml2 and stays out: its patched copy is the one used.
# Included from lib/CMakeLists.txt after billrun_lib is defined.
file(GLOB BILLRUN_NFSE_XSD CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/schemas/nfse/*/*.xsd)
set(BILLRUN_NFSE_XSD_CPP ${CMAKE_CURRENT_BINARY_DIR}/nfse_xsd_data.cpp)
add_custom_command(
  OUTPUT ${BILLRUN_NFSE_XSD_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${BILLRUN_NFSE_XSD_CPP} -DDIR=${PROJECT_SOURCE_DIR}/schemas/nfse
          -DPATTERNS=*/*.xsd -DEXCLUDE=abrasf-v2.04/nfse_v204.xsd
          -DHEADER=${CMAKE_CURRENT_LIST_DIR}/xsd_files.hpp -DNAMESPACE=billrun::nfse -DTYPE=XsdFile
          -DFUNCTION=embedded_xsd -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${BILLRUN_NFSE_XSD} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the NFS-e XSD files")
target_sources(billrun_lib PRIVATE ${BILLRUN_NFSE_XSD_CPP})
