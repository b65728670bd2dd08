package dev.berth.gc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small images that share layers, as real images share base layers: each has its own config, one
 * or two layers from a shared pool and one layer of its own. Seeded, so a run can be repeated.
 */
final class ImageFactory {
  private final Random random;
  private final String name;
  private final List<byte[]> sharedLayers = new ArrayList<>();
  private long made;

  ImageFactory(String name, long seed, int sharedPoolSize) {
    this.name = name;
    this.random = new Random(seed);
    for (int i = 0; i < sharedPoolSize; i++) {
      sharedLayers.add(bytes(1024 + random.nextInt(3072)));
    }
  }

  synchronized TestImage next() {
    made++;
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"factory\":\"" + name + "\",\"image\":" + made
        + ",\"nonce\":" + random.nextLong() + "}").getBytes(StandardCharsets.UTF_8);
    List<byte[]> layers = new ArrayList<>();
    int shared = 1 + random.nextInt(2);
    int first = random.nextInt(sharedLayers.size());
    for (int i = 0; i < shared; i++) {
      layers.add(sharedLayers.get((first + i) % sharedLayers.size()));
    }
    layers.add(bytes(512 + random.nextInt(2048)));
    return TestImage.of(config, layers);
  }

  /** A layer of fresh random bytes, shared with no image made so far. */
  synchronized byte[] uniqueLayer() {
    return bytes(256 + random.nextInt(1024));
  }

  byte[] sharedLayer(int index) {
    return sharedLayers.get(index);
  }

  private byte[] bytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }
}
