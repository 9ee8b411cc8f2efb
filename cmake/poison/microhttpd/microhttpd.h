/* Found first on the include path of every module that must not use this library: including
 * it there is a build error. See CMakeLists.txt (ls_module). */
#error "only scanner/serve may include <microhttpd.h>: it is the HTTP server of leakscan serve"
