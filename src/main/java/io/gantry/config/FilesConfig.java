package io.gantry.config;

import java.util.List;

/**
 * Files and file/image inputs.
 *
 * @param maxUploadBytes largest file {@code POST /v1/files} accepts (413 beyond)
 * @param maxInputFileBytes largest file an {@code input_file} may bring into a prompt, as the bytes
 *     of the file and as extracted text (400 beyond)
 * @param imageUrlAllowedHosts hosts whose {@code http(s)} image URLs Gantry may fetch; empty (the
 *     default) means remote image URLs are refused, so clients cannot make the gateway fetch
 *     arbitrary addresses
 */
public record FilesConfig(
    Long maxUploadBytes, Long maxInputFileBytes, List<String> imageUrlAllowedHosts) {
  public FilesConfig {
    maxUploadBytes = maxUploadBytes == null ? 64L * 1024 * 1024 : maxUploadBytes;
    maxInputFileBytes = maxInputFileBytes == null ? 8L * 1024 * 1024 : maxInputFileBytes;
    imageUrlAllowedHosts =
        imageUrlAllowedHosts == null ? List.of() : List.copyOf(imageUrlAllowedHosts);
  }
}
