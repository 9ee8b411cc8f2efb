/* Found first on the include path of every module that must not use this library: including
 * it there is a build error. See CMakeLists.txt (ls_module). */
#error "only scanner/archive may include <archive.h>: it opens archives within its limits"
