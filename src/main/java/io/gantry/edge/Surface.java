package io.gantry.edge;

/**
 * A public surface ({@code /v1/chat/completions}, {@code /v1/responses}, {@code /admin}, ...): it
 * registers its own routes, each declaring who may call it, so adding a surface touches nothing
 * else but the line in {@code Gantry} that lists it.
 */
@FunctionalInterface
public interface Surface {
  void routes(Routes routes);
}
