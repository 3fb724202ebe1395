(def ones ["" "one" "two" "three" "four" "five" "six" "seven" "eight" "nine" "ten" "eleven" "twelve"
           "thirteen" "fourteen" "fifteen" "sixteen" "seventeen" "eighteen" "nineteen"])
(def tens ["" "" "twenty" "thirty" "forty" "fifty" "sixty" "seventy" "eighty" "ninety"])
(defn words [n]
  (cond (zero? n) "zero"
        (< n 20) (ones n)
        (< n 100) (str (tens (quot n 10)) (when (pos? (rem n 10)) (str "-" (ones (rem n 10)))))
        :else (str (ones (quot n 100)) " hundred" (when (pos? (rem n 100)) (str " and " (words (rem n 100)))))))
(doseq [n [0 7 13 20 42 99 100 115 342 999]] (println n (words n)))
