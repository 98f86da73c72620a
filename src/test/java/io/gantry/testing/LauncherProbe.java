package io.gantry.testing;

/** Stands in for the gateway in a jar the launcher test builds: says it ran, with its arguments. */
public final class LauncherProbe {
  private LauncherProbe() {}

  public static void main(String[] args) {
    System.out.println("probe ran with " + String.join(" ", args));
  }
}
