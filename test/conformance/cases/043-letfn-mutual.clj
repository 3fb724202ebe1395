(letfn [(ev? [n] (if (zero? n) true (od? (dec n))))
        (od? [n] (if (zero? n) false (ev? (dec n))))]
  (prn (ev? 10) (od? 7) (ev? 3)))
(prn (letfn [(f [x] (* 2 x)) (g [x] (f (inc x)))] (g 5)))
(letfn [(collatz [n steps]
          (cond (= n 1) steps
                (even? n) (collatz (quot n 2) (inc steps))
                :else (collatz (inc (* 3 n)) (inc steps))))]
  (prn (map #(collatz % 0) [1 6 7 27])))
