# Compiles the official NFS-e schemas (schemas/nfse/nacional-v1.01/*.xsd) into billrun_lib,
# so the binary validates DPS files without data files installed beside it. Included from
# lib/CMakeLists.txt after billrun_lib is defined.
set(BILLRUN_NFSE_XSD_DIR ${PROJECT_SOURCE_DIR}/schemas/nfse/nacional-v1.01)
file(GLOB BILLRUN_NFSE_XSD CONFIGURE_DEPENDS ${BILLRUN_NFSE_XSD_DIR}/*.xsd)
set(BILLRUN_NFSE_XSD_CPP ${CMAKE_CURRENT_BINARY_DIR}/nfse_xsd_data.cpp)
add_custom_command(
  OUTPUT ${BILLRUN_NFSE_XSD_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${BILLRUN_NFSE_XSD_CPP} -DDIR=${BILLRUN_NFSE_XSD_DIR} -DPATTERNS=*.xsd
          -DHEADER=${CMAKE_CURRENT_LIST_DIR}/xsd_files.hpp -DNAMESPACE=billrun::nfse -DTYPE=XsdFile
          -DFUNCTION=embedded_xsd -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${BILLRUN_NFSE_XSD} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the NFS-e XSD files")
target_sources(billrun_lib PRIVATE ${BILLRUN_NFSE_XSD_CPP})
