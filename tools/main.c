/* main.c - placeholder CLI entry until tools/ is written. */
#include <stdio.h>

#include "vyre/vyre.h"

int main(void) {
  printf("vyre-jit %s\n", vy_version_string());
  return 0;
}
