build-fp/lib/qr_png.o: lib/qr_png.c lib/qr_png.h
lib/qr_png.h:
