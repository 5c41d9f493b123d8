using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>The typed results handlers return: the ConPaaS JSON bodies (snake_case records, or <c>{}</c> when done).</summary>
public static class Answers
{
    public static JsonHttpResult<object> Json(object value) => TypedResults.Json(value);

    public static JsonHttpResult<object> Done => TypedResults.Json<object>(new { });
}
