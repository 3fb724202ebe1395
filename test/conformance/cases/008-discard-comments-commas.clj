(prn [1 #_2 3])
(prn [1 #_ #_ 2 3 4])
;; a comment line
(prn {:a 1,,, :b 2}) ; trailing comment
(prn '(1 #_(this is gone) 2))
(prn (+ 1, 2, 3))
#_(prn "never")
(prn (comment anything here))
(prn [#_[nested] :ok])
