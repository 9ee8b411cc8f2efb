/* generated: do not edit */
#define BUILD_ID "e68de96039211d9b963cc58ea44ecd5b868ec5ff"
#define UPPER_WORDS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define KEY_TABLE_SIZE 256
#define TOKEN_MAX_LEN 4096
static const char *const kHashes[] = {
    "1d1a619588096b35bc4986e10b742c0bac74200567a820d3d2bfdc8ab3872178",
    "a38976ee082c309feda739c628efa20124d6d003a6630d95495d395dc3289858",
};
