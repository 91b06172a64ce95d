# Build step: turns the dashboard's files (src/api/web/*) into a C++ source so that poold serves
# them with no files on disk. Run as: cmake -DOUT=file.cpp -DFILES="a;b" -P embed_web_assets.cmake
set(body "")
set(table "")
set(index 0)
foreach(path IN LISTS FILES)
  get_filename_component(name "${path}" NAME)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char asset_${index}[] = {${bytes}0x00};\n")
  string(APPEND table "    {\"/${name}\", {reinterpret_cast<const char*>(asset_${index}), ${size}}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from src/api/web by embed_web_assets.cmake; do not edit.\n"
  "#include \"api/web_assets.h\"\n\nnamespace pool::api {\nnamespace {\n${body}}  // namespace\n\n"
  "const std::vector<WebAsset>& web_assets() {\n  static const std::vector<WebAsset> assets = {\n${table}  };\n"
  "  return assets;\n}\n\n}  // namespace pool::api\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
