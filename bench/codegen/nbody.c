// n-body: the same algorithm as nbody.atl (each body's velocity is updated
// from the pull of every other body, then every body moves), with the
// bodies in an array of structs of doubles updated in place.
#include <math.h>
#include <stdio.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define N 5

struct body {
  double x, y, z, vx, vy, vz, mass;
};

static struct body bodies[N];

static void planet(int i, double x, double y, double z, double vx, double vy, double vz, double m) {
  bodies[i] = (struct body){
      x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, m * SOLAR_MASS};
}

static double energy(void) {
  double e = 0.0;  // summed from the last body, as nbody.atl's recursion does
  for (int i = N - 1; i >= 0; --i) {
    struct body* b = &bodies[i];
    double kinetic = 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    double potential = 0.0;
    for (int j = i + 1; j < N; ++j) {
      struct body* o = &bodies[j];
      double dx = b->x - o->x, dy = b->y - o->y, dz = b->z - o->z;
      potential += b->mass * o->mass / sqrt(dx * dx + dy * dy + dz * dz);
    }
    e = (kinetic - potential) + e;
  }
  return e;
}

static void advance(double dt) {
  struct body next[N];
  for (int i = 0; i < N; ++i) {
    struct body b = bodies[i];
    for (int j = 0; j < N; ++j) {
      const struct body* o = &bodies[j];
      double dx = b.x - o->x, dy = b.y - o->y, dz = b.z - o->z;
      double d2 = dx * dx + dy * dy + dz * dz;
      if (d2 == 0.0) continue;
      double mag = o->mass * dt / (d2 * sqrt(d2));
      b.vx -= dx * mag;
      b.vy -= dy * mag;
      b.vz -= dz * mag;
    }
    b.x += dt * b.vx;
    b.y += dt * b.vy;
    b.z += dt * b.vz;
    next[i] = b;
  }
  for (int i = 0; i < N; ++i) bodies[i] = next[i];
}

int main(void) {
  planet(1, 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
         9.54791938424326609e-04);
  planet(2, 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
         2.85885980666130812e-04);
  planet(3, 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
         4.36624404335156298e-05);
  planet(4, 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
         5.15138902046611451e-05);
  double px = 0, py = 0, pz = 0;
  for (int i = 1; i < N; ++i) {
    px += bodies[i].vx * bodies[i].mass;
    py += bodies[i].vy * bodies[i].mass;
    pz += bodies[i].vz * bodies[i].mass;
  }
  bodies[0] = (struct body){
      0, 0, 0, 0.0 - px / SOLAR_MASS, 0.0 - py / SOLAR_MASS, 0.0 - pz / SOLAR_MASS, SOLAR_MASS};
  printf("%lld\n", (long long)(energy() * 1000000000.0));
  for (int n = 0; n < 1000000; ++n) advance(0.01);
  printf("%lld\n", (long long)(energy() * 1000000000.0));
  return 0;
}
