// The Mandelbrot set on a 600x400 grid, at most 200 iterations per point.
// Same algorithm as mandelbrot.atl.
#include <stdio.h>

static long escape(double cr, double ci) {
  double zr = 0.0, zi = 0.0;
  long n = 0;
  while (!(n >= 200 || zr * zr + zi * zi > 4.0)) {
    double nzr = zr * zr - zi * zi + cr;
    zi = 2.0 * zr * zi + ci;
    zr = nzr;
    ++n;
  }
  return n;
}

int main(void) {
  long acc = 0;
  for (long y = 0; y < 400; ++y)
    for (long x = 0; x < 600; ++x) acc += escape((double)x * 0.005 - 2.0, (double)y * 0.005 - 1.0);
  printf("%ld\n", acc);
  return 0;
}
