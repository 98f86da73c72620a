package io.gantry.core;

/** A piece of a message's content. */
public sealed interface Part {

  record TextPart(String text) implements Part {}

  /** An image by URL (usually a {@code data:} URL); {@code detail} may be null. */
  record ImagePart(String url, String detail) implements Part {}
}
