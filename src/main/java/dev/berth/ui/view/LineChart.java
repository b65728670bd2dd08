package dev.berth.ui.view;

import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;

/** Storage used over time as an inline SVG polyline; the points are plain numbers, computed here. */
public record LineChart(String points, String first, String last, String max, int width, int height, int samples) {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 160;
  private static final int PAD = 8;

  public record Point(Instant at, long bytes) {}

  public static LineChart of(List<Point> samples) {
    if (samples.isEmpty()) {
      return new LineChart("", "", "", "", WIDTH, HEIGHT, 0);
    }
    long start = samples.getFirst().at().toEpochMilli();
    long span = Math.max(1, samples.getLast().at().toEpochMilli() - start);
    long max = Math.max(1, samples.stream().mapToLong(Point::bytes).max().orElse(1));
    StringJoiner points = new StringJoiner(" ");
    for (Point p : samples) {
      long x = samples.size() == 1 ? WIDTH / 2 : PAD + Math.round((double) (p.at().toEpochMilli() - start) / span * (WIDTH - 2 * PAD));
      long y = HEIGHT - PAD - Math.round((double) p.bytes() / max * (HEIGHT - 2 * PAD));
      points.add(x + "," + y);
    }
    return new LineChart(points.toString(), Format.time(samples.getFirst().at()), Format.time(samples.getLast().at()),
        Format.bytes(max), WIDTH, HEIGHT, samples.size());
  }
}
