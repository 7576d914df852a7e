/* Prints "number name message" for every errno glibc knows; gen-constants.sh turns it into Errno.java. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

int main(void) {
    for (int e = 1; e < 134; e++) {
        const char *name = strerrorname_np(e);
        if (name != NULL) printf("%d\t%s\t%s\n", e, name, strerror(e));
    }
    return 0;
}
