// The gc-latency workload (bench/memory/gc_latency.atl) in Java: a window of
// slots receives fresh 1 KiB byte arrays; every push is timed. The collector
// is chosen on the command line (-XX:+UseG1GC, -XX:+UseZGC). One JSON line.
import java.util.Arrays;

public class GcLatency {
  public static void main(String[] args) {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1000000;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 200000;
    String mode = args.length > 2 ? args[2] : "java";
    byte[][] slots = new byte[window][];
    long[] push = new long[messages];
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      long t0 = System.nanoTime();
      byte[] m = new byte[1024];
      Arrays.fill(m, (byte) ('a' + i % 26));
      slots[i % window] = m;
      push[i] = System.nanoTime() - t0;
    }
    long wall = System.nanoTime() - start;
    Arrays.sort(push);
    double[] qs = {0.5, 0.9, 0.99, 0.999, 0.9999};
    StringBuilder out = new StringBuilder();
    out.append(String.format(java.util.Locale.ROOT, "{\"mode\":\"%s\",\"wall_ms\":%.3f", mode, wall / 1e6));
    String[] names = {"p50", "p90", "p99", "p999", "p9999"};
    for (int k = 0; k < qs.length; k++) {
      out.append(String.format(java.util.Locale.ROOT, ",\"push_%s_ms\":%.6f", names[k], push[(int) (qs[k] * (messages - 1))] / 1e6));
    }
    out.append(String.format(java.util.Locale.ROOT, ",\"push_max_ms\":%.6f}", push[messages - 1] / 1e6));
    System.out.println(out);
  }
}
