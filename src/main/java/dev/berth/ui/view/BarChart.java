package dev.berth.ui.view;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A horizontal bar chart drawn as inline SVG by the template; all geometry is computed here so the
 * template only places numbers (and escaped labels).
 */
public record BarChart(List<Bar> bars, int width, int height) {
  private static final int LABEL_WIDTH = 220;
  private static final int BAR_AREA = 420;
  private static final int ROW = 26;

  public record Bar(String label, String value, int y, int textY, int barX, int barWidth, int valueX) {}

  public static <T> BarChart of(List<T> items, ToLongFunction<T> value, java.util.function.Function<T, String> label) {
    long max = items.stream().mapToLong(value).max().orElse(0);
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      long v = value.applyAsLong(item);
      int width = max == 0 ? 0 : (int) Math.max(1, Math.round((double) v / max * BAR_AREA));
      bars.add(new Bar(label.apply(item), Format.bytes(v), i * ROW + 4, i * ROW + 19, LABEL_WIDTH, width,
          LABEL_WIDTH + width + 6));
    }
    return new BarChart(bars, LABEL_WIDTH + BAR_AREA + 90, Math.max(ROW, items.size() * ROW + 8));
  }

  public boolean isEmpty() {
    return bars.isEmpty();
  }
}
