/* Found first on the include path of every module that must not use this library: including
 * it there is a build error. See CMakeLists.txt (ls_module). */
#error "only scanner/rules, scanner/matcher and scanner/policy may include <pcre2.h>: go through that module's header"
