"""分享图片: a page or a meeting slide as one PNG to forward (composition, fonts, chart rendering)."""
