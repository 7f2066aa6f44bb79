"""Satellites: one small process per room and the hub that arbitrates between them."""
