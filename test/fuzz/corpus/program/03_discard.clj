(? x #_{:alpha 1, :beta [1 2]})
#_ #_ a b c
! #_(a) (b)
