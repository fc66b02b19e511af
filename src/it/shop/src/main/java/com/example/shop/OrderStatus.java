package com.example.shop;

/** An order's state, as clients post it and subscribers receive it (JSON, by JSON-B). */
public record OrderStatus(String state) {
}
