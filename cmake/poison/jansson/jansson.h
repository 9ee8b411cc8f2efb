/* Found first on the include path of every module that must not use this library: including
 * it there is a build error. See CMakeLists.txt (ls_module). */
#error "only scanner/verify, serve, forge, policy (baselines) and archive (image configurations) may include <jansson.h>"
