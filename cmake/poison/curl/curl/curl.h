/* Found first on the include path of every module that must not use this library: including
 * it there is a build error. See CMakeLists.txt (ls_module). */
#error "only scanner/verify may include <curl/curl.h>: it makes the verification requests"
