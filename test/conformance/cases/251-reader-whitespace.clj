(prn (+ 1
        2
        3))
(prn [1,2,3])
(prn {:a 1, :b 2,})
(prn (list 1 #_(+ 1 2) #_ 3 4))
(prn {:a #_:hidden 1})
(prn #_"gone" :kept)
(prn
  ;; a comment between forms
  :after-comment)
(prn (count [,,,]))
