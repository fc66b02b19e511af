package com.example.guide;

/** An order's state, as the library guide's annotated resource takes and publishes it. */
public record OrderStatus(String state) {
}
