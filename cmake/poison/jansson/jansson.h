/* Found first on the include path of every module that must not use this library: including
 * it there is a build error. See CMakeLists.txt (ls_module). */
#error "only scanner/verify, scanner/serve and scanner/archive may include <jansson.h>: they read JSON from the network and from images"
