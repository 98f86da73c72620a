package io.gantry.core;

/** Who said a message. */
public enum Role {
  SYSTEM,
  DEVELOPER,
  USER,
  ASSISTANT,
  TOOL;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Returns the role for a wire name, or null when it is not one we know. */
  public static Role fromWire(String value) {
    if (value == null) {
      return null;
    }
    for (Role role : values()) {
      if (role.wireName().equals(value)) {
        return role;
      }
    }
    return null;
  }
}
